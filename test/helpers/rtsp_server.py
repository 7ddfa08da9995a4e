#!/usr/bin/python3
"""A real RTSP test camera: GStreamer's gst-rtsp-server on 127.0.0.1, an OS-chosen port, an H.264
moving test pattern at /cam, behind digest authentication (basic when this gst-rtsp-server is older
than 1.16). Prints `PORT <n> <auth>` once it listens. Usage: rtsp_server.py USER PASSWORD"""
import sys
import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtsp, GstRtspServer, GLib

Gst.init(None)
user, password = sys.argv[1], sys.argv[2]

server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service('0')  # the OS picks a free port

auth = GstRtspServer.RTSPAuth()
token = GstRtspServer.RTSPToken()
token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, 'user')
method = 'basic'
if hasattr(auth, 'set_supported_methods'):
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    auth.add_digest(user, password, token)
    method = 'digest'
else:
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
server.set_auth(auth)

factory = GstRtspServer.RTSPMediaFactory()
factory.set_shared(True)
factory.set_launch('( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=10/1 '
                   '! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! rtph264pay name=pay0 pt=96 )')
factory.add_role_from_structure(Gst.Structure.new_from_string(
    'user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true'))
server.get_mount_points().add_factory('/cam', factory)

if server.attach(None) == 0:
    sys.exit('cannot listen')
print('PORT %d %s' % (server.get_bound_port(), method), flush=True)
try:
    GLib.MainLoop().run()
except KeyboardInterrupt:
    pass
